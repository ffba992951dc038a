// module Events
