"""HTTP requests on their way in: body reading, header texts, media types, request types,
validation against the contract, multipart bodies and read deadlines."""
