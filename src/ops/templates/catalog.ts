import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, UserError } from "../../errors.js";
import { packageRoot } from "../../shared/package-root.js";
import { placeholdersOf } from "./render.js";

export interface TemplateEntry {
  name: string;
  /** File inside templates/. */
  file: string;
  description: string;
  /** Where an operator puts the rendered file. */
  installTo: string;
}

export const templateCatalog: readonly TemplateEntry[] = [
  {
    name: "npm-advanced",
    file: "npm-advanced.conf",
    description: "Nginx Proxy Manager 'Advanced' snippet: SSE-friendly proxying, X-Forwarded-User, headers",
    installTo: "NPM > Proxy Host > Advanced",
  },
  {
    name: "nginx-site",
    file: "nginx-site.conf",
    description: "plain nginx site without NPM: HTTP->HTTPS, TLS, HSTS, request rate limits, SSE settings",
    installTo: "/etc/nginx/sites-available/ahb",
  },
  {
    name: "nginx-upstream",
    file: "nginx-upstream.conf",
    description: "blue/green upstream include for nginx on the host (ops config proxy.kind nginx)",
    installTo: "/etc/nginx/conf.d/ahb-upstream.conf (the ops config's proxy.upstreamFile)",
  },
  {
    name: "npm-upstream",
    file: "npm-upstream.conf",
    description: "blue/green upstream include for Nginx Proxy Manager (ops config proxy.kind npm)",
    installTo: "NPM's data/nginx/custom/http_top.conf (the ops config's proxy.upstreamFile)",
  },
  {
    name: "systemd-serve",
    file: "ahb-serve.service",
    description: "systemd unit running `ahb serve` without Docker, hardened",
    installTo: "/etc/systemd/system/ahb-serve.service",
  },
  {
    name: "systemd-cleanup-service",
    file: "ahb-cleanup.service",
    description: "systemd service running `ahb cleanup` once",
    installTo: "/etc/systemd/system/ahb-cleanup.service",
  },
  {
    name: "systemd-cleanup-timer",
    file: "ahb-cleanup.timer",
    description: "systemd timer: ahb cleanup hourly",
    installTo: "/etc/systemd/system/ahb-cleanup.timer",
  },
  {
    name: "systemd-backup-service",
    file: "ahb-backup.service",
    description: "systemd service running `ahb backup` once",
    installTo: "/etc/systemd/system/ahb-backup.service",
  },
  {
    name: "systemd-backup-timer",
    file: "ahb-backup.timer",
    description: "systemd timer: ahb backup daily at 02:00",
    installTo: "/etc/systemd/system/ahb-backup.timer",
  },
  {
    name: "systemd-doctor-service",
    file: "ahb-doctor.service",
    description: "systemd service running `ahb doctor --notify` once (alerts to the webhooks)",
    installTo: "/etc/systemd/system/ahb-doctor.service",
  },
  {
    name: "systemd-doctor-timer",
    file: "ahb-doctor.timer",
    description: "systemd timer: ahb doctor --notify every 5 minutes",
    installTo: "/etc/systemd/system/ahb-doctor.timer",
  },
  {
    name: "systemd-drill-service",
    file: "ahb-drill.service",
    description: "systemd service running `ahb backup drill` once (restore rehearsal)",
    installTo: "/etc/systemd/system/ahb-drill.service",
  },
  {
    name: "systemd-drill-timer",
    file: "ahb-drill.timer",
    description: "systemd timer: ahb backup drill monthly, on the 1st at 04:00",
    installTo: "/etc/systemd/system/ahb-drill.timer",
  },
  {
    name: "crontab",
    file: "crontab",
    description: "crontab lines: hourly cleanup, daily 02:00 backup (instead of the timers)",
    installTo: "crontab -e",
  },
  {
    name: "github-deploy",
    file: "github-deploy.yml",
    description: "GitHub Actions workflow: run the tests, then `ahb deploy` over SSH",
    installTo: ".github/workflows/deploy.yml",
  },
];

/** templates/ at the package root. */
export const templatesDir = `${join(packageRoot(), "templates")}/`;

export function findTemplate(name: string): TemplateEntry {
  const entry = templateCatalog.find((candidate) => candidate.name === name);
  if (!entry) {
    const names = templateCatalog.map((candidate) => candidate.name).join(", ");
    throw new UserError(`unknown template "${name}" (one of: ${names})`, ExitCode.NOT_FOUND);
  }
  return entry;
}

export function readTemplate(entry: TemplateEntry): string {
  return readFileSync(`${templatesDir}${entry.file}`, "utf8");
}

export interface TemplateListing {
  name: string;
  description: string;
  installTo: string;
  placeholders: string[];
}

export function listTemplates(): TemplateListing[] {
  return templateCatalog.map((entry) => ({
    name: entry.name,
    description: entry.description,
    installTo: entry.installTo,
    placeholders: placeholdersOf(readTemplate(entry)),
  }));
}
