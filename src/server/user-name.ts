/**
 * The user name a proxy sends in X-Forwarded-User. HTTP header values reach Node as latin1: one character per
 * byte. Proxies pass the name's bytes as they were given, which for basic auth is UTF-8 from every current browser
 * (RFC 7617's charset="UTF-8"), so the bytes are decoded as UTF-8 here, then NFC-normalised so that "é" typed as
 * one code point or as e + combining accent is one user.
 */
export type UserNameResult = { ok: true; user: string } | { ok: false; problem: string };

const USER_PATTERN = /^[\p{L}\p{M}\p{N}._@+-]{1,128}$/u;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeForwardedUser(headerValue: string): UserNameResult {
  if ([...headerValue].some((char) => char.charCodeAt(0) > 0xff)) {
    return { ok: false, problem: "is not a byte string" };
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(headerValue, "latin1"));
  } catch {
    return { ok: false, problem: "is not valid UTF-8" };
  }
  const user = decoded.normalize("NFC").trim();
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(user)) {
    return { ok: false, problem: "holds control or formatting characters" };
  }
  if (!USER_PATTERN.test(user)) {
    return {
      ok: false,
      problem: "must be 1-128 letters, digits or . _ @ + - (no spaces)",
    };
  }
  return { ok: true, user };
}
