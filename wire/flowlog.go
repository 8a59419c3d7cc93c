package wire

// PathFlowLog is parley's own operation (not Connect's): GET the flow log of a contact, SigV4-signed like the
// Connect API. `parley flow log` calls it.
const PathFlowLog = "/parley/contact-flow-log/{InstanceId}/{ContactId}"

// FlowLogResponse answers PathFlowLog: the actions the contact's flows ran, oldest first.
type FlowLogResponse struct {
	Records []FlowLogRecord `json:"Records"`
}

// FlowLogRecord is one action of a contact's flow log.
type FlowLogRecord struct {
	Time       string `json:"Time"`
	FlowID     string `json:"ContactFlowId"`
	Identifier string `json:"Identifier"`
	Type       string `json:"Type"`
	Result     string `json:"Result,omitempty"`
	Error      string `json:"Error,omitempty"`
	Detail     string `json:"Detail,omitempty"`
	Branch     string `json:"Branch,omitempty"`
	Next       string `json:"NextAction,omitempty"`
}
