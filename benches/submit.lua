-- wrk script: a public access request, as a web form would send it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"organisation":"turvakoti-satama","kind":"access","language":"fi",
"subject":{"name":"Bench Mark","personal_id":"131052-308T","email":"bench@example.invalid","contact_channel":"email"},
"details":{"scope":"whole_record","form":"electronic"}}]]
