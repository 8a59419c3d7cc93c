package wire

// The shapes of customer authentication in a chat (the Authenticate Customer block): GetAuthenticationUrl and
// CancelParticipantAuthentication of the Participant Service, UpdateParticipantAuthentication of the Connect
// Service. They are generated into files of their own.
//
//go:generate go run ../internal/smithygen -model connectparticipant.json -mode shapes -out participant_auth_gen.go -ops CancelParticipantAuthentication,GetAuthenticationUrl -always GetAuthenticationUrlResponse.AuthenticationUrl
//go:generate go run ../internal/smithygen -model connect-chat-subset.json -mode shapes -out connect_auth_gen.go -ops UpdateParticipantAuthentication
