"""Chinese text analysis: segmentation (``text``), the thesaurus of concepts (``concepts``) and the stored
analysis of a listing (``analysis``). The lists index their text with it and the matching engine scores
with it; it depends on neither."""
