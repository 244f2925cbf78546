// Renders an image slot: a responsive picture, a single image, or a themed placeholder.
import type { Media as MediaData } from "./types";

// Plain <img> with srcset on purpose: the widths are already optimised WebP files, and
// next/image with `unoptimized` would drop the srcset.
export function Media({ media }: { media: MediaData }) {
  const frame = `media ${media.ratio}`;
  if (media.kind === "placeholder") {
    return (
      <div className={`${frame} ph t${media.tone}`} role="img" aria-label={media.alt}>
        <svg viewBox="0 0 48 36" aria-hidden="true" focusable="false">
          <circle cx="34" cy="10" r="5" fill="currentColor" />
          <path d="M2 34 17 16l9 10 6-6 14 14z" fill="currentColor" />
        </svg>
      </div>
    );
  }
  // Eager (the hero): fetched first and decoded at once; the others wait until they are near.
  const loading = media.eager ? "eager" : "lazy";
  const fetchPriority = media.eager ? "high" : undefined;
  const decoding = media.eager ? "sync" : "async";
  if (media.kind === "image") {
    return (
      <div className={frame}>
        <img
          src={media.src}
          alt={media.alt}
          width={media.width}
          height={media.height}
          loading={loading}
          fetchPriority={fetchPriority}
          decoding={decoding}
        />
      </div>
    );
  }
  return (
    <div className={frame}>
      <img
        className={media.placeholderClass}
        src={media.src}
        srcSet={media.srcSet}
        sizes={media.sizes}
        alt={media.alt}
        width={media.width}
        height={media.height}
        loading={loading}
        fetchPriority={fetchPriority}
        decoding={decoding}
      />
    </div>
  );
}
