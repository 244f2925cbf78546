// The document: <html lang dir>, the page's styles, and the head (metadata, viewport) from page-data.
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { page } from "../components/page-data";
import "./theme.css";
import "./styles.css";

const { meta } = page;

export const metadata: Metadata = {
  metadataBase: meta.canonical ? new URL(meta.canonical) : undefined,
  title: meta.title,
  description: meta.description,
  generator: "Visions AI",
  alternates: meta.canonical ? { canonical: meta.canonical } : undefined,
  openGraph: {
    type: "website",
    title: meta.ogTitle,
    description: meta.ogDescription,
    siteName: meta.siteName,
    locale: meta.ogLocale,
    url: meta.canonical,
    images: meta.ogImage ? [meta.ogImage] : undefined,
  },
  twitter: {
    card: meta.ogImage ? "summary_large_image" : "summary",
    title: meta.ogTitle,
    description: meta.ogDescription,
    images: meta.ogImage ? [meta.ogImage] : undefined,
  },
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: meta.themeColor,
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang={page.lang} dir={page.dir}>
      <body>{children}</body>
    </html>
  );
}
