-- POST /api/v1/requests/search with the query in $Q (wrk -s benches/search.lua).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"q":"' .. (os.getenv("Q") or "henkilo 4242") .. '"}'
