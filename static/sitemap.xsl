<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows sitemap.xml to a person as a page: the site's strict CSP blocks the browser's
     own XML view. The page takes the site's stylesheet from the sitemap's
     <?marginalia-stylesheet URL?> instruction, as a static file's name changes with it. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:sitemap="http://www.sitemaps.org/schemas/sitemap/0.9"
                exclude-result-prefixes="sitemap">
  <xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>Sitemap</title>
        <link rel="stylesheet" href="{normalize-space(/processing-instruction('marginalia-stylesheet'))}"/>
      </head>
      <body>
        <main id="content" class="site-main">
          <header class="page-header">
            <h1>Sitemap</h1>
            <p class="page-header__meta">
              <xsl:value-of select="count(sitemap:urlset/sitemap:url)"/> addresses, for search
              engines. <a href="/">Go to the home page</a>.
            </p>
          </header>
          <table class="sitemap-table">
            <thead>
              <tr><th scope="col">Address</th><th scope="col">Last changed</th></tr>
            </thead>
            <tbody>
              <xsl:for-each select="sitemap:urlset/sitemap:url">
                <tr>
                  <td><a href="{sitemap:loc}"><xsl:value-of select="sitemap:loc"/></a></td>
                  <td><xsl:value-of select="sitemap:lastmod"/></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
