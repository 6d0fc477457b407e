/**
 * The starter templates every installation has. Placeholders are `{{Label}}`: the page selects them one by one
 * (Tab) so the user types over each. Thumbnails are static SVGs shipped with the page (web/starters/<id>.svg).
 */
export interface StarterDefinition {
  id: string;
  name: string;
  description: string;
  prompt: string;
}

export const BUILTIN_STARTERS: readonly StarterDefinition[] = [
  {
    id: "stakeholder-brief",
    name: "Stakeholder Brief",
    description: "A one-page update for executives: status, decisions needed, risks.",
    prompt:
      "Create a one-page stakeholder brief about {{project or initiative}} for {{audience}}. Open with a three-sentence executive summary, then sections for current status ({{status: on track / at risk / late}}), key decisions needed by {{date}}, top risks with mitigations, and next steps with owners. Keep it scannable, with a status badge at the top.",
  },
  {
    id: "dashboard",
    name: "Dashboard",
    description: "KPI cards, a chart and a table for a metrics overview.",
    prompt:
      "Create a dashboard page for {{team or product}} showing {{period, e.g. Q3 2026}}. Include KPI cards for {{three to five metrics with values}}, an inline SVG bar chart of {{what to chart}}, and a sortable table of {{table contents}}. Use a clean grid layout that also prints well.",
  },
  {
    id: "presentation-slides",
    name: "Presentation Slides",
    description: "A slide deck in one page, arrow keys to move between slides.",
    prompt:
      "Create a presentation of {{number}} slides about {{topic}} for {{audience}}. One idea per slide, a title slide and a closing slide with {{call to action}}. Full-screen slides that move with the arrow keys, with a slide counter, and a print layout of one slide per page.",
  },
  {
    id: "brd",
    name: "Business Requirements (BRD)",
    description: "Objectives, scope, requirements table and acceptance criteria.",
    prompt:
      "Create a business requirements document for {{project name}}. Sections: background, business objectives, in scope / out of scope, stakeholders, functional requirements as a numbered table (ID, requirement, priority, owner) covering {{main capabilities}}, non-functional requirements, assumptions, and acceptance criteria. Add a revision history table with version {{version}} dated {{date}}.",
  },
  {
    id: "project-proposal",
    name: "Project Proposal",
    description: "Problem, proposed solution, timeline, budget and team.",
    prompt:
      "Create a project proposal for {{project name}} addressed to {{decision makers}}. Explain the problem ({{problem}}), the proposed solution, expected benefits, a timeline of milestones over {{duration}}, a budget summary of {{budget}}, the team, and a clear ask at the end.",
  },
  {
    id: "newsletter",
    name: "Newsletter",
    description: "A team or customer newsletter with highlights and cards.",
    prompt:
      "Create a {{monthly / weekly}} newsletter for {{audience}} titled {{newsletter name}}. Include a short welcome note, three highlight stories about {{topics}}, an upcoming events list, and a footer with contact details. Use cards for the stories and keep it readable on phones.",
  },
  {
    id: "event-invitation",
    name: "Event Invitation",
    description: "An invitation page with agenda, venue and RSVP details.",
    prompt:
      "Create an invitation page for {{event name}} on {{date and time}} at {{venue}}. Include a welcoming headline, what to expect, an agenda of {{agenda items}}, practical details (dress code, parking, accessibility) and how to RSVP by {{RSVP deadline}}.",
  },
  {
    id: "status-report",
    name: "Weekly Status Report",
    description: "Done, doing, blocked, with a RAG status and metrics.",
    prompt:
      "Create a weekly status report for {{team}} for the week of {{week}}. Show an overall red/amber/green status of {{status}}, accomplishments, work in progress, blockers needing help from {{who}}, key metrics ({{metrics}}), and priorities for next week.",
  },
  {
    id: "product-one-pager",
    name: "Product One-Pager",
    description: "A marketing one-pager: value proposition, features, pricing.",
    prompt:
      "Create a product one-pager for {{product name}}, aimed at {{target customers}}. Lead with the value proposition ({{main benefit}}), then three feature blocks with icons drawn in inline SVG, a short customer quote, pricing of {{pricing}}, and a call to action to {{next step}}.",
  },
];
