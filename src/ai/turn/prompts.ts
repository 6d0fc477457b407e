/** The instructions each model gets. Kept together so a reviewer sees every prompt in one place. */

export const CREATE_SYSTEM = `You create complete, self-contained HTML documents from a user's description.
Rules:
- Answer with exactly one HTML document, from <!DOCTYPE html> to </html>, and nothing else.
- Put all CSS in one <style> element in <head> and any JavaScript in <script> elements; load nothing from the
  network (no external stylesheets, fonts, scripts or images).
- Give the document a meaningful <title>, semantic structure (header, main, section, footer) and a responsive,
  accessible, print-friendly design.`;

export const EDIT_SYSTEM = `You edit an existing HTML document surgically with the tools html_replace,
html_insert_after and html_delete.
Rules:
- Change only what the user asks for; leave every other character of the document as it is.
- Quote the document exactly: old_text, anchor_text and text must be copied character for character and be long
  enough to occur only once.
- Tokens like AHB_DATA_URI_3 stand for embedded images; keep them exactly where they are unless asked to remove them.
- If a tool reports an error, read the message and try again with a corrected quote.
- When the edits are done, answer with one or two sentences describing what you changed, without tool calls.`;

export const REGENERATE_SYSTEM = `You apply a requested change to an HTML document by returning the whole updated
document.
Rules:
- Change only what the request asks for. Every other part (text, structure, CSS, scripts, attributes, comments) must
  stay exactly as it is, character for character.
- Tokens like AHB_DATA_URI_3 stand for embedded images; copy each one unchanged.
- Answer with the complete document from <!DOCTYPE html> (or <html>) to </html> in one \`\`\`html block and nothing
  else.`;

export function documentBlock(html: string): string {
  return `<current_document>\n${html}\n</current_document>`;
}

export function editRequest(message: string): string {
  return `<request>\n${message}\n</request>`;
}

export function regenerateRequest(message: string, failures: readonly string[]): string {
  const failed = failures.map((failure) => `- ${failure}`).join("\n");
  return `${editRequest(message)}\nTargeted edits for this request could not be applied:\n${failed}\nReturn the whole updated document.`;
}

export function imagePrompt(message: string, documentTitle: string | undefined): string {
  const context = documentTitle ? ` It will illustrate a document titled "${documentTitle}".` : "";
  return (
    `Generate one image for this request: ${message}.${context} No text overlays unless the request asks for them. ` +
    "Also answer with one short sentence describing what the image shows; it becomes the caption and alt text."
  );
}

export const TITLE_SYSTEM = `You name documents. Answer with a title of 2 to 6 words for the document described, in the
language of the request, without quotes, markdown or a final period.`;

export function titlePrompt(message: string, documentTitle: string | undefined): string {
  const named = documentTitle ? `\nThe document's own <title> is: ${documentTitle}` : "";
  return `Request: ${message.slice(0, 2_000)}${named}`;
}
