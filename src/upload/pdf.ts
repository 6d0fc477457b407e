import { getDocumentProxy } from "unpdf";
import { corrupt, UploadError } from "./errors.js";

export interface PdfLimits {
  maxPages: number;
  timeoutMs: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = { maxPages: 300, timeoutMs: 20_000 };

export interface PdfText {
  text: string;
  /** True when pages past maxPages were left unread. */
  truncated: boolean;
}

const timedOut = (limits: PdfLimits) =>
  new UploadError(
    { status: 422, code: "extraction_limit" },
    `reading the PDF took longer than ${limits.timeoutMs / 1000} s and was stopped`,
  );

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

function pageText(items: readonly TextItemLike[]): string {
  return items.map((item) => (item.str ?? "") + (item.hasEOL ? "\n" : "")).join("");
}

/**
 * Text of the first maxPages pages through unpdf (pdf.js, eval disabled). The deadline is checked between pages
 * and also races the whole read; the document is destroyed however the read ends, so pdf.js stops its work.
 */
export async function extractPdf(bytes: Buffer, limits: PdfLimits = DEFAULT_PDF_LIMITS): Promise<PdfText> {
  const deadline = Date.now() + limits.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut(limits)), limits.timeoutMs);
  });
  const read = async (): Promise<PdfText> => {
    let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
    try {
      pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
    } catch (error) {
      const name = (error as { name?: string }).name;
      throw corrupt(
        name === "PasswordException"
          ? "the PDF is password-protected"
          : "the PDF is damaged and cannot be read",
      );
    }
    try {
      const pages = Math.min(pdf.numPages, limits.maxPages);
      const texts: string[] = [];
      for (let number = 1; number <= pages; number += 1) {
        if (Date.now() > deadline) throw timedOut(limits);
        const page = await pdf.getPage(number);
        texts.push(pageText((await page.getTextContent()).items as TextItemLike[]));
        page.cleanup();
      }
      return { text: texts.join("\n\n"), truncated: pdf.numPages > limits.maxPages };
    } finally {
      await pdf.destroy();
    }
  };
  try {
    return await Promise.race([read(), expiry]);
  } finally {
    clearTimeout(timer);
  }
}
