DROP TABLE misuse_findings;
