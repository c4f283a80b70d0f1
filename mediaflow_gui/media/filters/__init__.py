"""Filter chains several builders share: what a source needs before any output sees it
(deinterlace, HDR→SDR tone-mapping: source.py, tonemap.py). One place writes them, so an
apart build and a fused group apply the same chain, and a fused group applies it once.
"""
