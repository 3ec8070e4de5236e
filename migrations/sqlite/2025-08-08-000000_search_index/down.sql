DROP TRIGGER organization_search_delete;
DROP TRIGGER organization_search_update;
DROP TABLE organization_search;
DROP INDEX organizations_active_kind_region_headcount;
DROP INDEX organizations_active_kind_region_name;
CREATE INDEX organizations_kind_region ON organizations (kind, region, name_ru);
