DROP INDEX organizations_search_trgm;
DROP INDEX organizations_active_kind_region_headcount;
DROP INDEX organizations_active_kind_region_name;
CREATE INDEX organizations_kind_region ON organizations (kind, region, name_ru);
