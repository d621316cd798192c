/** HTTP Basic client authentication (RFC 6749 §2.3.1: both parts form-urlencoded first). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';
