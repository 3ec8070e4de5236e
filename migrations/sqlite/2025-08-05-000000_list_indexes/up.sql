-- Filtered lists (kind and region together) and their counts use one index.
CREATE INDEX organizations_kind_region ON organizations (kind, region, name_ru);
CREATE INDEX organizations_headcount ON organizations (headcount);
