/** The region a Bedrock provider signs for: `aws.region`, else the one its base URL names. */
export function awsRegionOf(p: { baseUrl: string; aws?: { region?: string } | undefined }): string {
  if (p.aws?.region !== undefined) return p.aws.region;
  let host = '';
  try {
    host = new URL(p.baseUrl).hostname;
  } catch {
    host = '';
  }
  return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1] ?? '';
}
