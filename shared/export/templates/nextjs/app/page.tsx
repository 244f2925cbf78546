// The page: its body from the shared components, and its JSON-LD structured data.
import { Page } from "../components/Page";
import { page } from "../components/page-data";

export default function Home() {
  return (
    <>
      <Page data={page} />
      {/* Already escaped by Visions AI so that it cannot close its script element. */}
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: page.meta.jsonLd }} />
    </>
  );
}
