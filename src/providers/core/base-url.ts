/**
 * How a provider's configured `baseUrl` and an endpoint path (`/v1/chat/completions`) make the
 * upstream URL. The base keeps its path, so services mounted under a prefix work:
 *
 * - a base whose path has a version segment (`/v1`, `/v1beta`, `/v2alpha`) is what the OpenAI
 *   SDK takes as `baseURL`, so the endpoint joins it without its own leading version (`/v1`,
 *   Gemini's `/v1beta`): `https://api.groq.com/openai/v1` → `/openai/v1/chat/completions`,
 *   `https://generativelanguage.googleapis.com/v1beta/openai` → `/v1beta/openai/chat/completions`,
 *   `https://generativelanguage.googleapis.com/v1beta` → `/v1beta/models/…:generateContent`;
 * - any other base gets the whole endpoint path: `https://api.openai.com` → `/v1/chat/completions`,
 *   `https://api.groq.com/openai` → `/openai/v1/chat/completions`.
 *
 * So both the SDK-style and the bare form of a service's URL send to the same place.
 */

const VERSION_SEGMENT = /^v\d+[a-z0-9]*$/;
const LEADING_VERSION = /^\/v\d+[a-z0-9]*(?=\/)/;

/** The base URL's path without trailing slashes: `''` for a bare origin. */
export function basePathOf(baseUrl: string): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}

/** The request path for one endpoint under a provider's base URL (see the rule above). */
export function joinEndpointPath(basePath: string, endpointPath: string): string {
  const isVersioned = basePath.split('/').some((segment) => VERSION_SEGMENT.test(segment));
  return isVersioned
    ? basePath + endpointPath.replace(LEADING_VERSION, '')
    : basePath + endpointPath;
}

/** Why a base URL cannot be used as one, or undefined: only scheme, host, port and path count. */
export function baseUrlProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'not a URL';
  }
  if (url.search !== '' || baseUrl.includes('?')) {
    return 'has a query string, which would be dropped; remove it (static parameters go in `headers`)';
  }
  if (url.hash !== '' || baseUrl.includes('#')) return 'has a #fragment; remove it';
  if (url.username !== '' || url.password !== '') {
    return 'holds credentials; remove them and use apiKey (a secret reference)';
  }
  return undefined;
}
