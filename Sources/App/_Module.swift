// module App
