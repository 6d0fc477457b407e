/**
 * Infographic mode, in two billed steps: Gemini 2.5 Pro turns the request and the current document's text into a
 * visual brief (layout, data, text, alt text, caption), then Nano Banana Pro renders the brief as one image. The
 * image becomes a new version's whole body, or is inserted into the current document when the request says so.
 * Either call failing, or an unusable brief or image, leaves the document as it was.
 */
import * as z from "zod";
import { GEMINI_CREATE_MODEL, NANO_BANANA_MODEL } from "../pricing.js";
import { geminiContents } from "./brand.js";
import { callGemini, drawImage, placeImage } from "./gemini.js";
import type { FlowContext, FlowResult } from "./context.js";
import { TurnError } from "./events.js";
import { escapeHtml, imageFigure, UnsupportedImageError } from "./insert-image.js";

/** The document's text sent with the request: enough for the facts of a long report, far below the context. */
const MAX_DOCUMENT_TEXT = 30_000;

export const visualBrief = z.object({
  title: z.string().trim().min(1).max(160),
  layout: z.string().trim().min(1).max(2000),
  sections: z
    .array(
      z.object({
        heading: z.string().trim().min(1).max(160),
        text: z.string().trim().max(600).optional(),
        data: z
          .array(z.object({ label: z.string().max(120), value: z.string().max(120) }))
          .max(12)
          .optional(),
      }),
    )
    .min(1)
    .max(10),
  palette: z.array(z.string().max(40)).max(8).optional(),
  altText: z.string().trim().min(1).max(400),
  caption: z.string().trim().min(1).max(240),
});
export type VisualBrief = z.infer<typeof visualBrief>;

export const BRIEF_SYSTEM = `You are an information designer. From the user's request (and the document's text
when one is given) write the visual brief for ONE infographic image.
Rules:
- Use only facts and figures from the request and the document; never invent numbers.
- layout: the overall composition (orientation, grid, reading order, chart types, icon ideas).
- sections: 1 to 10 blocks, each a short heading, optional short text and optional label/value data.
- altText: a complete description of the image for screen readers, including its key figures.
- caption: one sentence shown under the image.
- If a brand profile is given, use its colours, fonts and tone.
Answer with the JSON object only.`;

export type InfographicPlacement = "new-version" | "insert";

/** "…and add it to the page", "insert an infographic into the report": the image goes into the document. */
export function infographicPlacement(message: string, hasHtml: boolean): InfographicPlacement {
  if (!hasHtml) return "new-version";
  const text = message.toLowerCase();
  const insertVerb =
    /\b(?:insert|add|put|place|embed|include)\b[^.!?]*\binfographic\b|\binfographic\b[^.!?]*\b(?:insert|add|put|place|embed|include)\b/;
  const intoDocument =
    /\b(?:into|in|to|inside|within) (?:the|this|my|our) (?:document|doc|page|report|file)\b/;
  return insertVerb.test(text) || intoDocument.test(text) ? "insert" : "new-version";
}

export async function makeInfographic(
  context: FlowContext,
  message: string,
  html: string | undefined,
): Promise<FlowResult> {
  const placement = infographicPlacement(message, html !== undefined);
  const brief = await writeBrief(context, message, html);
  const image = await renderBrief(context, brief);
  const alt = brief.altText;
  const summary = `Made an infographic: ${brief.title}`;
  if (placement === "insert" && html !== undefined) {
    return {
      html: placeImage(html, { ...image, alt, caption: brief.caption }, "The infographic"),
      summary,
      model: NANO_BANANA_MODEL,
    };
  }
  return { html: infographicDocument(brief, image), summary, model: NANO_BANANA_MODEL };
}

async function writeBrief(
  context: FlowContext,
  message: string,
  html: string | undefined,
): Promise<VisualBrief> {
  context.emit({
    event: "status",
    data: { stage: "briefing", message: "Gemini 2.5 Pro is writing the infographic's visual brief" },
  });
  const reply = await callGemini(context, {
    model: GEMINI_CREATE_MODEL,
    contents: geminiContents(briefRequest(message, html), context.brand, "image"),
    config: {
      systemInstruction: BRIEF_SYSTEM,
      responseMimeType: "application/json",
      responseJsonSchema: z.toJSONSchema(visualBrief),
    },
  });
  return parseBrief(reply.text);
}

export function parseBrief(text: string): VisualBrief {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ""));
  } catch {
    throw new TurnError("invalid_brief", "Gemini's visual brief for the infographic was not valid JSON");
  }
  const parsed = visualBrief.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "brief"}: ${issue.message}`,
    );
    throw new TurnError(
      "invalid_brief",
      `Gemini's visual brief was incomplete (${problems.slice(0, 3).join("; ")})`,
    );
  }
  return parsed.data;
}

export function briefRequest(message: string, html: string | undefined): string {
  const text = html ? documentText(html) : "";
  const document = text ? `\n\n<document_text>\n${text}\n</document_text>` : "";
  return `<request>\n${message}\n</request>${document}`;
}

/** The visible text of a document: no markup, scripts, styles or embedded images. */
export function documentText(html: string): string {
  const text = html
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > MAX_DOCUMENT_TEXT ? `${text.slice(0, MAX_DOCUMENT_TEXT)}…` : text;
}

export function renderPrompt(brief: VisualBrief): string {
  return `Render this visual brief as ONE finished infographic image. Follow the layout; spell every heading, label
and value exactly as written; keep text large and legible; no placeholder text.
<visual_brief>
${JSON.stringify(brief, null, 2)}
</visual_brief>`;
}

async function renderBrief(
  context: FlowContext,
  brief: VisualBrief,
): Promise<{ mimeType: string; data: string }> {
  context.emit({
    event: "status",
    data: { stage: "imaging", message: "Nano Banana Pro is rendering the infographic" },
  });
  const { image } = await drawImage(
    context,
    renderPrompt(brief),
    "The image model answered without an infographic",
  );
  return image;
}

/** A document whose body is the infographic: the image with the brief's alt text and caption. */
export function infographicDocument(brief: VisualBrief, image: { mimeType: string; data: string }): string {
  let figure: string;
  try {
    figure = imageFigure({ ...image, alt: brief.altText, caption: brief.caption });
  } catch (error) {
    if (error instanceof UnsupportedImageError)
      throw new TurnError("no_image", "The image model sent an unusable image");
    throw error;
  }
  const title = escapeHtml(brief.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f8fafc;color:#0f172a}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
</style>
</head>
<body>
<main>
<h1>${title}</h1>
${figure}
</main>
</body>
</html>
`;
}
