"""What an operation does: the generic handler of every operation kind, the toolkit vendor
handlers build on, matching, replies, credential lookups and reference checks."""
