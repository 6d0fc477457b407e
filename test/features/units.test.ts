import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { routeTurn, type TurnIntent } from "../../src/ai/route.js";
import { placeBrandLogo, brandBlock, LOGO_TOKEN } from "../../src/ai/turn/brand.js";
import {
  documentText,
  infographicDocument,
  infographicPlacement,
  parseBrief,
} from "../../src/ai/turn/infographic.js";
import { TurnError } from "../../src/ai/turn/events.js";
import type { BrandWithLogo } from "../../src/db/repo/brands.js";
import { BUILTIN_STARTERS } from "../../src/starters/builtin.js";
import { loadStarters, placeholdersOf, readThumbnail } from "../../src/starters/catalog.js";
import { nextPlaceholder, placeholderRanges } from "../../web/placeholders.js";
import { tempDir } from "../helpers/env.js";

const dir = tempDir("ahb-starters-");
after(() => dir.remove());

describe("infographic routing", () => {
  const cases: [message: string, hasHtml: boolean, intent: TurnIntent][] = [
    ["Make an infographic of our Q3 sales", true, "infographic"],
    ["make an infographic of the survey results", false, "infographic"],
    ["Create a simple infographic about recycling", true, "infographic"],
    ["Turn this into an infographic", true, "infographic"],
    ["Convert the table into an infographic", true, "infographic"],
    ["An infographic showing the timeline, please", true, "infographic"],
    ["Can you give me an infographic on onboarding steps?", true, "infographic"],
    ["Add an infographic of the key numbers to the page", true, "infographic"],
    ["Make the infographic bigger", true, "edit"],
    ["Change the infographic title to Q4", true, "edit"],
    ["add a new infographic title", true, "edit"],
    ["Please don't make an infographic, just fix the typo", true, "edit"],
    ["Create a new infographic page about owls", true, "infographic"],
    ["Create a new page about owls", true, "create"],
    ["Add a picture of a lighthouse", true, "image"],
  ];
  it("routes infographic requests and leaves edits of an existing one alone", () => {
    for (const [message, hasHtml, intent] of cases)
      assert.equal(routeTurn({ hasHtml, message, mode: "auto" }), intent, message);
  });
  it("takes the mode menu's choice, with or without a document", () => {
    assert.equal(routeTurn({ hasHtml: false, message: "our numbers", mode: "infographic" }), "infographic");
    assert.equal(routeTurn({ hasHtml: true, message: "fix it", mode: "infographic" }), "infographic");
    assert.equal(routeTurn({ hasHtml: false, message: "fix it", mode: "edit" }), "create");
  });
  it("inserts into the document only when asked and when there is one", () => {
    assert.equal(infographicPlacement("Make an infographic of the sales", true), "new-version");
    assert.equal(infographicPlacement("Add an infographic of the sales", true), "insert");
    assert.equal(infographicPlacement("make one from the data and put it in the report", true), "insert");
    assert.equal(infographicPlacement("Add an infographic of the sales", false), "new-version");
  });
});

describe("visual brief", () => {
  const brief = {
    title: "Q3 <sales>",
    layout: "poster",
    sections: [{ heading: "Revenue", data: [{ label: "EUR", value: "1.2M" }] }],
    altText: 'Revenue "1.2M"',
    caption: "Q3 at a glance",
  };
  it("parses JSON, fenced or not, and refuses an incomplete brief with a clear error", () => {
    assert.equal(parseBrief(JSON.stringify(brief)).title, "Q3 <sales>");
    assert.equal(parseBrief("```json\n" + JSON.stringify(brief) + "\n```").caption, "Q3 at a glance");
    assert.throws(
      () => parseBrief("not json"),
      (error: unknown) => error instanceof TurnError && error.code === "invalid_brief",
    );
    assert.throws(
      () => parseBrief(JSON.stringify({ ...brief, altText: undefined })),
      (error: unknown) => error instanceof TurnError && /altText/.test(error.message),
    );
  });
  it("builds a document whose body is the image, alt text and caption escaped", () => {
    const html = infographicDocument(parseBrief(JSON.stringify(brief)), {
      mimeType: "image/png",
      data: "iVBORw0K",
    });
    assert.match(html, /<title>Q3 &lt;sales&gt;<\/title>/);
    assert.match(html, /<img src="data:image\/png;base64,iVBORw0K" alt="Revenue &quot;1\.2M&quot;"/);
    assert.match(html, /<figcaption[^>]*>Q3 at a glance<\/figcaption>/);
  });
  it("sends the document's visible text, not its markup, scripts or images", () => {
    const text = documentText(
      '<html><head><style>p{color:red}</style></head><body><h1>A &amp; B</h1><img src="data:image/png;base64,AAAA"><script>x()</script><p>Two</p></body></html>',
    );
    assert.equal(text, "A & B Two");
  });
});

describe("brand in prompts", () => {
  const brand: BrandWithLogo = {
    id: "b",
    name: "Acme",
    colors: ["#0b3d91"],
    fonts: ["Georgia"],
    voice: "Plain.",
    logoMimeType: "image/png",
    createdBy: "hank",
    createdAt: "",
    updatedAt: "",
    logo: { mimeType: "image/png", data: Buffer.from("logo") },
  };
  it("describes the profile and tells documents and images how to use the logo", () => {
    assert.match(
      brandBlock(brand),
      new RegExp(`#0b3d91[\\s\\S]*Georgia[\\s\\S]*Plain\\.[\\s\\S]*${LOGO_TOKEN}`),
    );
    assert.doesNotMatch(brandBlock(brand, "image"), new RegExp(LOGO_TOKEN));
  });
  it("replaces the logo token with the logo's data URI, and nothing without a logo", () => {
    const html = `<img src="${LOGO_TOKEN}">`;
    assert.equal(
      placeBrandLogo(html, brand),
      `<img src="data:image/png;base64,${Buffer.from("logo").toString("base64")}">`,
    );
    assert.equal(placeBrandLogo(html, null), html);
  });
});

describe("starter templates", () => {
  it("ships at least eight built-ins, each with placeholders", () => {
    assert.ok(BUILTIN_STARTERS.length >= 8);
    for (const starter of BUILTIN_STARTERS) assert.ok(placeholdersOf(starter.prompt).length >= 2, starter.id);
  });

  it("loads good operator files, names each bad one, and serves only valid thumbnails", () => {
    const folder = join(dir.path, "starters");
    mkdirSync(folder);
    const good = {
      name: "Minutes",
      description: "Meeting minutes.",
      prompt: "Minutes of {{meeting}} on {{date}}.",
    };
    writeFileSync(join(folder, "minutes.json"), JSON.stringify(good));
    writeFileSync(join(folder, "minutes.png"), "not a png");
    writeFileSync(join(folder, "dashboard.json"), JSON.stringify(good));
    writeFileSync(join(folder, "Bad Name.json"), JSON.stringify(good));
    writeFileSync(join(folder, "broken.json"), "{");
    writeFileSync(join(folder, "extra.json"), JSON.stringify({ ...good, colour: "red" }));
    writeFileSync(join(folder, "notes.txt"), "ignored");
    const { starters, problems } = loadStarters(folder);
    const minutes = starters.find((starter) => starter.id === "minutes");
    assert.deepEqual(minutes?.placeholders, ["meeting", "date"]);
    assert.equal(minutes?.thumbnailUrl, "/assets/starters/custom.svg", "an invalid PNG is not used");
    assert.deepEqual(
      problems.map((problem) => problem.file),
      ["Bad Name.json", "broken.json", "dashboard.json", "extra.json"],
    );
    assert.match(problems.find((p) => p.file === "dashboard.json")?.message ?? "", /built-in/);
    assert.match(problems.find((p) => p.file === "broken.json")?.message ?? "", /not valid JSON/);
    assert.match(problems.find((p) => p.file === "extra.json")?.message ?? "", /colour/);
    assert.equal(readThumbnail(folder, "../minutes"), undefined);
  });

  it("has no problems when the folder does not exist", () => {
    assert.deepEqual(loadStarters(join(dir.path, "absent")).problems, []);
  });
});

describe("placeholder stepping in the message box (web/placeholders.ts)", () => {
  const text = "Brief on {{topic}} for {{audience}} by {{date}}.";
  it("finds each placeholder and steps forward and back without wrapping", () => {
    const [topic, audience, date] = placeholderRanges(text);
    assert.equal(text.slice(topic?.start, topic?.end), "{{topic}}");
    assert.deepEqual(nextPlaceholder(text, { start: 0, end: 0 }), topic);
    assert.deepEqual(nextPlaceholder(text, topic ?? { start: 0, end: 0 }), audience);
    assert.deepEqual(nextPlaceholder(text, audience ?? { start: 0, end: 0 }, true), topic);
    assert.equal(nextPlaceholder(text, date ?? { start: 0, end: 0 }), undefined);
    assert.equal(nextPlaceholder(text, topic ?? { start: 0, end: 0 }, true), undefined);
  });
});
