/**
 * The surgical editor: pure functions, no I/O. A turn goes
 *   protectDataUris(html) -> Claude with `editTools` -> parseEditCall(...) per tool_use block
 *   -> applyEditCall (feedback per call) / applyTurn (all-or-nothing, validated) -> restore(html),
 * and, when every call failed, one full regeneration whose output goes through extractHtmlDocument and
 * validateEdit the same way.
 */
export { EditCallError, parseEditCall, type EditCall } from "./calls.js";
export { applyEditCall, applyTurn, type EditOutcome, type TurnResult } from "./apply.js";
export { PLACEHOLDER_PREFIX, protectDataUris, type ProtectedHtml } from "./data-uris.js";
export { extractHtmlDocument } from "./extract.js";
export { SIMILARITY_THRESHOLD, type MatchKind } from "./locate.js";
export { editTools } from "./tools.js";
export { validateEdit, type Validation } from "./validate.js";
