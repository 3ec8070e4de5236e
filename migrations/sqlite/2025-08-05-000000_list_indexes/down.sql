DROP INDEX organizations_headcount;
DROP INDEX organizations_kind_region;
