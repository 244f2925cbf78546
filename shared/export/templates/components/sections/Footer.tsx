// Renders the page footer: business name, tagline, footer links and legal line.
import type { Footer as FooterData } from "../types";

export function Footer({ footer }: { footer: FooterData }) {
  // A page without a footer section still closes with the business name.
  if (footer.id === undefined) {
    return (
      <footer className="foot">
        <div className="wrap">
          <p className="legal">{footer.business}</p>
        </div>
      </footer>
    );
  }
  return (
    <footer className="foot" id={footer.id} data-section-id={footer.sectionId}>
      <div className="wrap">
        <div className="fcols">
          <div>
            <p className="brand">{footer.business}</p>
            {footer.tagline !== "" && <p className="muted">{footer.tagline}</p>}
          </div>
          {footer.links.length > 0 && (
            <nav aria-label={footer.navLabel}>
              <ul>
                {footer.links.map((link, i) => (
                  <li key={i}>
                    <a href={link.href}>{link.label}</a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </div>
        {footer.legal !== "" && <p className="legal">{footer.legal}</p>}
      </div>
    </footer>
  );
}
