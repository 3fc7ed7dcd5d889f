"""Pure parsing of JGT registration exports: `read` (bytes → raw cells), `canonical` (raw → canonical rows and
rejections), `checks` (the business-rule columns judged by expectations/stg_jgt_registratie.json)."""
