-- wrk: POST /api/payments/create with the business's API key (KEY in the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
wrk.body = '{"amount_usd":"25.00","currency":"ltc"}'
