// Renders the gallery: square pictures in a grid, the first one larger.
import type { GallerySection } from "../types";
import { Media } from "../Media";
import { SectionFrame, SectionHead } from "../SectionFrame";

export function Gallery({ section }: { section: GallerySection }) {
  return (
    <SectionFrame section={section}>
      <SectionHead section={section} />
      <ul className="gal">
        {section.images.map((media, i) => (
          <li key={i}>
            <Media media={media} />
          </li>
        ))}
      </ul>
    </SectionFrame>
  );
}
