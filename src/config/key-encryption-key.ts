/**
 * The key-encryption key as written in the environment or the secrets file: exactly 32 bytes in
 * canonical base64 (padded) or base64url (unpadded). Node's decoder is lenient (it skips stray
 * characters and stops at the first bad one), so a mistyped or truncated key could decode to
 * other bytes; a key whose decoding does not encode back to the same text is refused.
 */
export function decodeKeyEncryptionKey(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32) return undefined;
  const canonical = bytes.toString('base64') === text || bytes.toString('base64url') === text;
  return canonical ? bytes : undefined;
}
