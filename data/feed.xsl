<?xml version="1.0" encoding="UTF-8"?>
<!--
  feed.xsl: how a browser shows finewsd's Atom feeds (feeds/*.xml name it
  in an <?xml-stylesheet?> instruction).  A feed reader ignores it; a
  browser that still applies XSLT shows the feed as a page: its title, how
  to subscribe, and each entry's title (linked to the post), date, media
  and category.  The article text is left out: the post's page has it, and
  a page made here must not run what an article may carry.  Written by
  finewsd beside the feeds; edits are overwritten.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:a="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="a">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:template match="/a:feed">
    <xsl:variable name="self" select="a:link[@rel='self']/@href"/>
    <html lang="zh">
      <head>
        <meta charset="UTF-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="a:title"/> (feed)</title>
        <style>
          body { font-family: sans-serif; max-width: 46em; margin: 1.5em auto;
                 padding: 0 1em; line-height: 1.5; color: #222; background: #fff; }
          .subscribe { background: #fff8dc; border: 1px solid #e0c97f;
                       padding: .75em 1em; border-radius: 4px; }
          .subscribe code { word-break: break-all; background: #fff; padding: 0 .25em; }
          ol { padding-left: 0; list-style: none; }
          li { border-bottom: 1px solid #ddd; padding: .6em 0; }
          li a { font-size: 1.1em; text-decoration: none; color: #0645ad; }
          li a:hover { text-decoration: underline; }
          .meta { color: #666; font-size: .9em; }
        </style>
      </head>
      <body>
        <h1><xsl:value-of select="a:title"/></h1>
        <p class="subscribe">This is a news feed.  To follow it, copy its
          address into a feed reader (Feedly, Inoreader, newsboat…):<br/>
          <code><xsl:value-of select="$self"/></code></p>
        <xsl:if test="a:link[@rel='alternate']">
          <p><a href="{a:link[@rel='alternate']/@href}">Open the site's page
            of this feed</a></p>
        </xsl:if>
        <p class="meta">Updated <xsl:call-template name="when">
          <xsl:with-param name="t" select="a:updated"/></xsl:call-template>,
          <xsl:value-of select="count(a:entry)"/> entries.</p>
        <ol>
          <xsl:apply-templates select="a:entry"/>
        </ol>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="a:entry">
    <li>
      <a href="{a:link[@rel='alternate']/@href}"><xsl:value-of select="a:title"/></a>
      <div class="meta">
        <xsl:call-template name="when">
          <xsl:with-param name="t" select="a:published"/>
        </xsl:call-template>
        <xsl:if test="a:author/a:name">
          · <xsl:value-of select="a:author/a:name"/>
        </xsl:if>
        <xsl:if test="a:category/@label">
          · <xsl:value-of select="a:category/@label"/>
        </xsl:if>
      </div>
    </li>
  </xsl:template>

  <!-- An RFC 3339 time as "YYYY-MM-DD HH:MM (+08:00)". -->
  <xsl:template name="when">
    <xsl:param name="t"/>
    <time datetime="{$t}">
      <xsl:value-of select="concat(substring($t, 1, 10), ' ',
          substring($t, 12, 5), ' (', substring($t, 20), ')')"/>
    </time>
  </xsl:template>
</xsl:stylesheet>
