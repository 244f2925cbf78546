// The API under test: a running server (scripts/check-sdks starts `visions-ai serve`).
export const baseUrl = process.env.VISIONS_API_URL;
export const token = process.env.VISIONS_TOKEN;
if (!baseUrl || !token) {
  throw new Error("set VISIONS_API_URL and VISIONS_TOKEN (scripts/check-sdks does)");
}
