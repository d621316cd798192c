let common: Promise<ReadonlySet<string>> | undefined;

/**
 * Whether a password is one of the commonly used ones (NIST SP 800-63B 3.1.1.2: refuse values
 * from lists of commonly used or compromised passwords). The list is zxcvbn-ts's, some 49,000
 * passwords ranked from breach corpora; it is loaded on first use, by the commands and pages that
 * set a password, not by every server start. Compared case-insensitively, as the list is.
 */
export async function isCommonPassword(password: string): Promise<boolean> {
  common ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common']),
  );
  return (await common).has(password.toLowerCase());
}
