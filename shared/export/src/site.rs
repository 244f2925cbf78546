//! The static site: the renderer's own document with its stylesheet in `styles.css`, the
//! pictures beside it, a favicon, `robots.txt` and, when the site's address is known,
//! `sitemap.xml`.

use visions_domain::page::Page;
use visions_page::{Options, favicon_svg, render_page_with, stylesheet_parts};

use crate::{File, Site};

pub(crate) fn static_site(page: &Page, site: &Site, pictures: Vec<File>) -> Vec<File> {
    let html = render_page_with(
        page,
        Options {
            stylesheet: Some("styles.css"),
            favicon: Some("favicon.svg"),
        },
    );
    let (variables, rules) = stylesheet_parts(page);
    let mut files = vec![
        File::text("index.html", html),
        File::text("styles.css", variables + &rules),
        File::text("favicon.svg", favicon_svg(page)),
    ];
    files.extend(crawler_files(site, ""));
    files.push(File::text("README.md", readme(site)));
    files.extend(pictures);
    files
}

/// `robots.txt`, and `sitemap.xml` when the site's address is known, under `folder`.
pub(crate) fn crawler_files(site: &Site, folder: &str) -> Vec<File> {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    let mut files = Vec::new();
    if let Some(url) = &site.url {
        let sitemap = url::Url::parse(url)
            .and_then(|base| base.join("sitemap.xml"))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| format!("{url}/sitemap.xml"));
        robots.push_str(&format!("\nSitemap: {sitemap}\n"));
        files.push(File::text(
            format!("{folder}sitemap.xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  <url><loc>{}</loc></url>\n</urlset>\n",
                xml_escape(url)
            ),
        ));
    }
    files.insert(0, File::text(format!("{folder}robots.txt"), robots));
    files
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn readme(site: &Site) -> String {
    let sitemap = match &site.url {
        Some(url) => format!("`sitemap.xml` lists {url}."),
        None => "There is no `sitemap.xml`: the project has no site URL. Set one on the project \
                 (`site_url`) and export again, or add the file when you know the address."
            .to_owned(),
    };
    format!(
        "# Your landing page\n\nA static site made by Visions AI: upload this folder to any static host \
         (S3 and CloudFront, Netlify, GitHub Pages, nginx). It needs no build and loads nothing \
         from elsewhere.\n\n- `index.html`: the page, with its Open Graph tags and JSON-LD.\n\
         - `styles.css`: the colour tokens as CSS variables (`:root`), then the rules.\n\
         - `images/`: each picture in several WebP widths (`srcset`), the fallback `src` among them.\n\
         - `favicon.svg`, `robots.txt`. {sitemap}\n\nEvery section carries `data-section-id`, its \
         id in the page JSON.\n"
    )
}
