DROP INDEX organizations_search_words;
CREATE INDEX organizations_search_trgm ON organizations USING gin (search_text gin_trgm_ops);
DROP TABLE search_words;
