/// The default price table (USD per coin, fiat per USD). Railyard ships it so a fresh install can
/// price payments on devnet without network access; production sets `RAILYARD_RATES_URL` or
/// `RAILYARD_RATES_FILE`.
let shippedRatesJSON = """
{
  "usd": {
    "BTC": "97250.00", "BCH": "482.10", "LTC": "98.45", "ETH": "3412.75", "POL": "0.5123",
    "SOL": "241.30", "USDC": "1.00", "USDT": "1.00"
  },
  "fx": {
    "USD": "1", "EUR": "0.9480", "GBP": "0.7910", "CAD": "1.3980", "AUD": "1.5350",
    "JPY": "154.20", "CHF": "0.8830", "CNY": "7.2410", "INR": "84.45", "BRL": "5.8120"
  }
}
"""
