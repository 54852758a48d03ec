DROP TABLE request_messages;
