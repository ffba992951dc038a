// module Merchants
