/**
 * Infographic intent, apart from route.ts's image and document phrases: "make an infographic of …", "turn this
 * into an infographic", "an infographic showing …". Negated requests ("don't make an infographic") are not it.
 */
const VERBS =
  "make|create|generate|build|design|draw|produce|render|give me|show me|i want|i need|add|insert|include|put";
/** Describing words only: "the infographic" names one that exists ("make the infographic bigger" is an edit). */
const FILLER = "(?:(?!(?:the|this|that|its|my|our|your|their)\\b)[a-z-]+ ){0,2}?";
/** "infographic title", "infographic colours": a part of an existing infographic. */
const NOT_A_PART =
  "(?! (?:title|heading|colou?rs?|section|caption|text|size|labels?|legend|layout|fonts?|style)\\b)";
const ASKS = [
  new RegExp(
    `\\b(?:${VERBS}) (?:me |us )?(?:an? |one |another |a new )?${FILLER}infographics?\\b${NOT_A_PART}`,
  ),
  /\b(?:turn|convert|transform|summari[sz]e|visuali[sz]e|present) (?:this|it|that|the [a-z -]{1,40}?|these [a-z -]{1,40}?) (?:into|as) (?:an? )?(?:[a-z-]+ ){0,2}?infographics?\b/,
  /^(?:please )?(?:an? )?infographics? (?:of|about|on|showing|for|from|summari[sz]ing|explaining)\b/,
];
const NEGATED =
  /\b(?:don't|dont|do not|never|not|no need to|without|instead of|rather than|stop)\b(?: [a-z']+){0,3} *$/;

export function asksForInfographic(text: string): boolean {
  return ASKS.some((pattern) => {
    const match = pattern.exec(text);
    return match !== null && !NEGATED.test(text.slice(0, match.index));
  });
}
