"""Open Referral HSDS 3.0 in and out: the specification's tables
(``spec``), Haven's own fields as attributes (``fields``), the export
(``export``, ``files``) and the import (``reader``, ``validate``, ``load``)."""
