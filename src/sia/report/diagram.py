"""The headline framework diagram: market-driven priorities standing on enabling competencies (inline SVG).

The Midlands Engine family of SIAs (2016-2018) drew its framework as a row of market-driven
priorities resting on a platform of cross-cutting enabling competencies. This module draws the same
picture from the ``framework`` table, as plain SVG (no script, prints and scales cleanly).
"""

from __future__ import annotations

import textwrap
from html import escape

import pandas as pd

from sia.report.charts import OKABE_ITO, VERMILLION
from sia.report.labels import theme_names


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def _text_block(x: float, y: float, text: str, width_chars: int, *, size: int = 14, colour: str = "#fff",
                weight: str = "600") -> str:
    lines = _lines(text, width_chars)
    first = y - (len(lines) - 1) * size * 0.6
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + i * size * 1.2:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (f'<text text-anchor="middle" dominant-baseline="middle" font-size="{size}" font-weight="{weight}" '
            f'fill="{colour}">{spans}</text>')


def framework_svg(framework: pd.DataFrame, themes: pd.DataFrame, scale: str, scale_name: str) -> str:
    """SVG of the framework at one scale.

    Parameters
    ----------
    framework, themes
        The audit's ``framework`` and ``themes`` tables.
    scale, scale_name
        The scale to draw.

    Returns
    -------
    str
        An ``<svg>`` element with ``role="img"`` and a ``<title>``/``<desc>`` naming every theme shown.
    """
    names = theme_names(themes)
    sub = framework[framework["scale"] == scale]
    market = sub[sub["role"] == "market-driven priority"].sort_values("role_rank")
    enabling = sub[sub["role"] == "enabling competency"].sort_values("role_rank")
    width, pad = 960.0, 16.0
    n_m = max(len(market), 1)
    col_w = (width - pad * (n_m + 1)) / n_m
    pillar_h, bar_h = 150.0, 46.0
    top = 50.0
    height = top + pillar_h + 20 + max(len(enabling), 1) * (bar_h + 8) + 40
    parts = [
        f'<svg class="framework" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="fw-title-{escape(scale)} fw-desc-{escape(scale)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif">',
        f'<title id="fw-title-{escape(scale)}">Smart specialisation framework: {escape(scale_name)}</title>',
        f'<desc id="fw-desc-{escape(scale)}">Market-driven priorities: '
        f'{escape(", ".join(names.get(t, t) for t in market["theme"])) or "none"}. Enabling competencies: '
        f'{escape(", ".join(names.get(t, t) for t in enabling["theme"])) or "none"}.</desc>',
        f'<text x="{pad}" y="28" font-size="15" font-weight="700" fill="#222">Market-driven priorities</text>',
    ]
    if market.empty:
        parts.append(f'<text x="{width / 2}" y="{top + pillar_h / 2}" text-anchor="middle" fill="#555">'
                     'No market-driven priority selected at this scale</text>')
    for i, row in enumerate(market.itertuples(index=False)):
        x = pad + i * (col_w + pad)
        parts.append(f'<rect x="{x:.1f}" y="{top}" width="{col_w:.1f}" height="{pillar_h}" rx="8" '
                     f'fill="{VERMILLION}"/>')
        parts.append(_text_block(x + col_w / 2, top + pillar_h / 2, names.get(row.theme, row.theme),
                                 max(int(col_w / 9), 8)))
        parts.append(f'<text x="{x + 10:.1f}" y="{top + 20}" font-size="12" fill="#fff">#{int(row.role_rank)}</text>')
    y = top + pillar_h + 20
    parts.append(f'<text x="{pad}" y="{y + 4:.1f}" font-size="15" font-weight="700" fill="#222">'
                 'Enabling competencies (underpinning all priorities)</text>')
    y += 14
    if enabling.empty:
        parts.append(f'<text x="{width / 2}" y="{y + bar_h / 2}" text-anchor="middle" fill="#555">'
                     'No enabling competency selected at this scale</text>')
    for row in enabling.itertuples(index=False):
        parts.append(f'<rect x="{pad}" y="{y:.1f}" width="{width - 2 * pad:.1f}" height="{bar_h}" rx="6" '
                     f'fill="{OKABE_ITO[4]}"/>')
        parts.append(_text_block(width / 2, y + bar_h / 2, names.get(row.theme, row.theme), 90, size=15))
        y += bar_h + 8
    parts.append("</svg>")
    return "".join(parts)
