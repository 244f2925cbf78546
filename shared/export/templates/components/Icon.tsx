// Renders the small decorative stroke icons of feature items (the Rust `icon()`).
const PATHS = [
  "M5 12.5l4.5 4.5L19 7.5",
  "M13 3 5 14h6l-1 7 8-11h-6z",
  "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z",
  "M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z",
  "M12 7v5l3 2m6-2a9 9 0 1 1-18 0 9 9 0 0 1 18 0z",
  "M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z",
] as const;

/** Icon `index` (0 is the check mark), wrapping around the six there are. */
export function Icon({ index }: { index: number }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      focusable="false"
    >
      <path d={PATHS[index % PATHS.length]} />
    </svg>
  );
}
