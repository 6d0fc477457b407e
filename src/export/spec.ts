import * as z from "zod";
import { intInRange } from "../shared/int-range.js";

export const PAPER_SIZES = ["A4", "Letter", "Legal"] as const;
export const PNG_WIDTH = { min: 320, max: 1600, default: 1200 } as const;
export const MAX_PNG_HEIGHT_CSS = 10_000;
/** Chromium's screenshots get unreliable past about 16k device pixels on a side. */
export const MAX_PNG_DEVICE_PIXELS = 16_384;
export const THUMBNAIL = { width: 1200, height: 900, scale: 1 / 3 } as const;

export type ExportSpec =
  | { format: "html" }
  | { format: "pdf"; paper: (typeof PAPER_SIZES)[number] }
  | { format: "png"; width: number; scale: 1 | 2 }
  | { format: "thumbnail" };

export type ExportFormat = ExportSpec["format"];

const querySchema = z.object({
  paper: z
    .string()
    .transform((value) => PAPER_SIZES.find((size) => size.toLowerCase() === value.toLowerCase()))
    .pipe(z.enum(PAPER_SIZES, { message: "paper must be A4, Letter or Legal" }))
    .default("A4"),
  width: intInRange(PNG_WIDTH.min, PNG_WIDTH.max, {
    name: "width",
    notInteger: "width must be a whole number of CSS pixels",
  }).default(PNG_WIDTH.default),
  scale: z
    .enum(["1", "2"], { message: "scale must be 1 or 2" })
    .transform((value) => (value === "2" ? 2 : 1) as 1 | 2)
    .default(1),
});

export const formatSchema = z.enum(["html", "pdf", "png"], { message: "format must be html, pdf or png" });

/** The export asked for by `:format` and the query (`paper`, `width`, `scale`); throws ZodError when invalid. */
export function parseExportSpec(format: string, query: Record<string, string>): ExportSpec {
  const parsed = formatSchema.parse(format);
  const options = querySchema.parse(query);
  if (parsed === "pdf") return { format: "pdf", paper: options.paper };
  if (parsed === "png") return { format: "png", width: options.width, scale: options.scale };
  return { format: "html" };
}

export function pngHeightCap(scale: number): number {
  return Math.min(MAX_PNG_HEIGHT_CSS, Math.floor(MAX_PNG_DEVICE_PIXELS / scale));
}

const EXTENSIONS: Record<ExportFormat, string> = { html: "html", pdf: "pdf", png: "png", thumbnail: "png" };
const CONTENT_TYPES: Record<ExportFormat, string> = {
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  png: "image/png",
  thumbnail: "image/png",
};

export const extensionFor = (spec: ExportSpec) => EXTENSIONS[spec.format];
export const contentTypeFor = (spec: ExportSpec) => CONTENT_TYPES[spec.format];

/** The cache file name: versions never change, so document + version + options identify the output. */
export function exportFileName(documentId: string, version: number, spec: ExportSpec): string {
  const variant =
    spec.format === "pdf"
      ? `pdf-${spec.paper.toLowerCase()}`
      : spec.format === "png"
        ? `png-w${spec.width}-s${spec.scale}`
        : spec.format;
  return `${documentId}-v${version}-${variant}.${extensionFor(spec)}`;
}
