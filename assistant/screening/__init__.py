"""Party screening against the U.S. Consolidated Screening List (CSL).

One module per concern (import each name from the module that defines it):

* `models`: `ScreeningEntry` (a CSL row), `Match` (a hit; `.to_dict()` for the CLI and the API,
  `.to_hit(ref)` for an answer), `ScreeningList` (`.screen(name, country, as_of, limit)`,
  `.version`, `.summary(...)`), `ScreeningError`, `no_match_message` (a screen never "clears"
  anyone).
* `csv_format`: `parse_csl(text)`, reading the published CSV.
* `names`: `normalize_name(name)` and the word vocabularies (legal forms, places, industries).
* `index`: the precomputed match keys of a list's names.
* `rules`: the five match rules (whole name, short name, acronym, contained name, person).
* `parties`: `find_parties(text, screening_list, as_of)`, listed parties named in free text.
* `layout`: the names of the synced files in `settings.screening_dir`.
* `repository`: `load_list(settings)`, the synced list, rebuilt in the background when a sync
  changes it.

Fetching and publishing the list is the write path's job: `ingest/screening_sync.py`.
"""
