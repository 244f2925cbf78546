// Next.js: a static export (`next build` writes the site to out/), images served as they are.
/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "export",
  images: { unoptimized: true },
};

export default nextConfig;
