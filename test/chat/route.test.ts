import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { routeTurn, type RouteInput, type TurnIntent } from "../../src/ai/route.js";

const intents: [message: string, intent: TurnIntent][] = [
  ["Make the heading blue", "edit"],
  ["Fix the typo in the second paragraph", "edit"],
  ["Add a picture of a lighthouse at dusk", "image"],
  ["Generate two photos of mountains", "image"],
  ["add images of mountains to each section", "image"],
  ["Replace the table with a diagram", "image"],
  ["Draw me a diagram of the workflow", "image"],
  ["Add an illustration", "image"],
  ["Can you add a photo of our team?", "image"],
  ["a picture of a sunset at the top, please", "image"],
  ["draw a border around the table", "edit"],
  ["Draw attention to the deadline", "edit"],
  ["Remove the picture of the old office", "edit"],
  ["make the image caption italic", "edit"],
  ["increase the logo size", "edit"],
  ["Add a logo section", "edit"],
  ["Center the image", "edit"],
  ["Please don't add any images", "edit"],
  ["fix the diagram labels", "edit"],
  ["Change the photo caption to 'Team 2026'", "edit"],
  ["Start over", "create"],
  ["Let's start from scratch", "create"],
  ["Create a new document about owls", "create"],
  ["Make me a new landing page for a bakery", "create"],
  ["I want a new page", "create"],
  ["Scrap this and make a resume instead", "create"],
  ["Throw away the whole thing", "create"],
  ["Rewrite the intro from scratch", "edit"],
  ["Don't start over, just fix the typo", "edit"],
];

describe("routeTurn", () => {
  it("routes by explicit intent in the message when the document has HTML and mode is auto", () => {
    for (const [message, intent] of intents) {
      assert.equal(routeTurn({ hasHtml: true, message, mode: "auto" }), intent, message);
    }
  });

  it("puts state first: without HTML every turn creates, whatever the mode or message", () => {
    const cases: RouteInput[] = [
      { hasHtml: false, message: "Make the heading blue", mode: "auto" },
      { hasHtml: false, message: "Add a picture of a cat", mode: "auto" },
      { hasHtml: false, message: "anything", mode: "edit" },
      { hasHtml: false, message: "anything", mode: "image" },
    ];
    for (const input of cases) assert.equal(routeTurn(input), "create", JSON.stringify(input));
  });

  it("lets an explicit mode override the message once there is HTML", () => {
    assert.equal(routeTurn({ hasHtml: true, message: "Start over", mode: "edit" }), "edit");
    assert.equal(routeTurn({ hasHtml: true, message: "Make the heading blue", mode: "image" }), "image");
    assert.equal(routeTurn({ hasHtml: true, message: "Add a picture of a cat", mode: "create" }), "create");
  });
});
