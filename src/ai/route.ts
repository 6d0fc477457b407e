/**
 * Turn routing: which model handles a chat turn. Pure: state first (no HTML can only be created), then the
 * caller's explicit mode, then explicit intent in the message. Anything unclear is an edit, the cheapest
 * and least destructive path.
 */
import { asksForInfographic } from "./route-infographic.js";

export type TurnMode = "auto" | "create" | "edit" | "image" | "infographic";
export type TurnIntent = "create" | "edit" | "image" | "infographic";

export interface RouteInput {
  hasHtml: boolean;
  message: string;
  mode: TurnMode;
}

export function routeTurn(input: RouteInput): TurnIntent {
  const intent = input.mode === "auto" ? intentFromMessage(input.message) : input.mode;
  // An infographic needs no document: it can be the first version.
  if (!input.hasHtml && intent !== "infographic") return "create";
  return intent;
}

export function intentFromMessage(message: string): TurnIntent {
  const text = normalize(message);
  if (asksForInfographic(text)) return "infographic";
  if (asksForNewDocument(text)) return "create";
  if (asksForNewImage(text)) return "image";
  return "edit";
}

const DOC_NOUNS =
  "document|doc|page|webpage|website|site|one-pager|file|report|presentation|deck|resume|cv|newsletter|brochure|flyer|poster|infographic|letter|memo|proposal|article|post|invoice|dashboard|html";
const IMAGE_NOUNS =
  "image|picture|pic|photo|photograph|illustration|diagram|drawing|sketch|logo|icon|graphic|artwork|painting|clipart|clip-art";
/** Words that turn an image noun into a part of something else ("image caption", "logo section"). */
const IMAGE_NOUN_MODIFIERS =
  "caption|border|size|width|height|alt|title|placeholder|section|gallery|grid|container|frame|label|credit|link|url|src|style|styles|class|position|color|colour|spacing|margin|padding|alignment|layout|slot|area|text";
/** Between a verb and the image noun only descriptive words may appear, not the start of another phrase. */
const PHRASE_BREAKERS = new Set(
  "the this that these those its it my our your their his her to of for in on at by under below above beside next near with from into onto over around about and or but than as".split(
    " ",
  ),
);
const NEGATIONS = /\b(?:don't|dont|do not|never|not|without|no need to|instead of|rather than|stop)\b/;

const NEW_DOCUMENT_PHRASES = [
  /\b(?:start(?:ing)?|begin(?:ning)?) (?:all )?(?:over|again|afresh|fresh|anew)\b/g,
  /\b(?:blank slate|clean slate|blank page|new document|fresh document)\b/g,
  /\b(?:scrap|scrapping|trash|discard|ditch|throw away|wipe|bin) (?:it all|everything|all of it|(?:the|this) (?:whole |entire )?(?:thing|document|doc|page))\b/g,
  /\b(?:scrap|scrapping|trash|ditch) (?:this|that|it)(?= *(?:[,.;!]|and\b|$))/g,
  new RegExp(
    `\\b(?:create|make|build|generate|write|start|begin|open|design|draft|produce|give me|i want|i need) (?:me |us )?(?:a |an )?(?:new|fresh|brand-new|brand new|different|another|separate|second) (?:[a-z-]+ ){0,3}?(?:${DOC_NOUNS})s?\\b`,
    "g",
  ),
];

function asksForNewDocument(text: string): boolean {
  if (NEW_DOCUMENT_PHRASES.some((pattern) => hasUnnegatedMatch(text, pattern))) return true;
  return [...text.matchAll(/\bfrom scratch\b/g)].some(
    (m) => !isNegated(text, m.index) && !scratchTargetsAPart(clauseBefore(text, m.index)),
  );
}

/** "rewrite the intro from scratch" redoes one part (an edit); "redo it all from scratch" starts over. */
function scratchTargetsAPart(clause: string): boolean {
  const objects = clause.matchAll(/\b(?:a|an|the|this|that|these|those|its|my|our|your)((?: [a-z-]+){1,3})/g);
  const docNoun = new RegExp(`^(?:whole|entire|thing|${DOC_NOUNS})s?$`);
  return [...objects].some(
    (m) =>
      !(m[1] ?? "")
        .trim()
        .split(" ")
        .some((word) => docNoun.test(word)),
  );
}

const GENERATION_VERBS =
  "generate|create|draw|make|add|insert|include|produce|design|render|paint|sketch|illustrate|put|place|give me|show me|need|want|like|get";
const QUANTIFIERS = "a|an|one|two|three|four|some|another|new|a new|a few|a couple of|\\d+";

const IMAGE_PHRASES = [
  // "add a watercolor picture", "generate two photos", "draw me a diagram"
  new RegExp(
    `\\b(?:${GENERATION_VERBS}) (?:me |us )?(?:${QUANTIFIERS}) ((?:[a-z-]+ ){0,4}?)(?:${IMAGE_NOUNS})(?:s|es)?\\b(?! (?:${IMAGE_NOUN_MODIFIERS})\\b)`,
    "g",
  ),
  // "add images of mountains", "generate illustrations for each step"
  new RegExp(`\\b(?:${GENERATION_VERBS}) ()(?:${IMAGE_NOUNS})(?:s|es) (?:of|for|showing|depicting)\\b`, "g"),
  // "replace the table with a diagram", "decorate the header with an illustration of hills"
  new RegExp(
    `\\b(?:replace|decorate|illustrate|accompany|complement|enhance|swap|pair)\\b[^.;!?]*? with (?:${QUANTIFIERS}) ((?:[a-z-]+ ){0,4}?)(?:${IMAGE_NOUNS})(?:s|es)?\\b(?! (?:${IMAGE_NOUN_MODIFIERS})\\b)`,
    "g",
  ),
  // "a picture of a sunset at the top"
  new RegExp(
    `(?:^|[,.;!?] *)(?:${QUANTIFIERS}) ((?:[a-z-]+ ){0,3}?)(?:${IMAGE_NOUNS})(?:s|es)? (?:of|showing|depicting|illustrating)\\b`,
    "g",
  ),
  // "draw a cat", "sketch the workflow", but not "draw attention" or "draw a border"
  /\b(?:draw|sketch|paint) (?:me |us )?(?:a|an|some|the|\d+) ()(?!(?:border|line|box|divider|separator|outline|frame|shadow|table|attention|conclusion|distinction|comparison)\b)[a-z]/g,
];

function asksForNewImage(text: string): boolean {
  return IMAGE_PHRASES.some((pattern) =>
    [...text.matchAll(pattern)].some(
      (m) => !isNegated(text, m.index) && descriptiveOnly(m[1] ?? "") && !hasUndoingVerb(text, m.index),
    ),
  );
}

function descriptiveOnly(words: string): boolean {
  return words
    .trim()
    .split(" ")
    .every((word) => !PHRASE_BREAKERS.has(word));
}

/** "remove a picture of the old office" names an image to act on, not one to generate. */
function hasUndoingVerb(text: string, index: number): boolean {
  return /\b(?:remove|delete|drop|hide|erase|get rid of|take out|move|resize|shrink|enlarge|crop|rotate|align|center|centre)\b/.test(
    clauseBefore(text, index),
  );
}

function hasUnnegatedMatch(text: string, pattern: RegExp): boolean {
  return [...text.matchAll(pattern)].some((m) => !isNegated(text, m.index));
}

/** A negation among the few words before a phrase, in the same clause, cancels it ("don't start over"). */
function isNegated(text: string, index: number): boolean {
  const words = clauseBefore(text, index).trim().split(" ").slice(-4).join(" ");
  return NEGATIONS.test(words);
}

function clauseBefore(text: string, index: number): string {
  const before = text.slice(0, index);
  const boundary = Math.max(
    before.lastIndexOf(","),
    before.lastIndexOf("."),
    before.lastIndexOf(";"),
    before.lastIndexOf("!"),
    before.lastIndexOf("?"),
    before.lastIndexOf(" but "),
    before.lastIndexOf(" then "),
  );
  return before.slice(boundary + 1);
}

function normalize(message: string): string {
  return message
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}
