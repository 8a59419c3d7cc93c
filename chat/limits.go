package chat

import (
	"context"

	"github.com/parley-chat/parley"
)

// The caps of the limits configuration (package throttle) that only the service can check: a chat's stored
// items and an instance's concurrent chats.

// checkItemCap refuses an item its participant appended past Config.MaxChatItems. It runs after the append,
// inside the same transaction, where the store has just given the item its Seq (the chain's count of items):
// returning the error rolls the item back, and costs nothing the append did not already do. Items the service
// appends itself (chat.ended, participant.left, timers) are never capped, so a full chat can still end.
func (s *Service) checkItemCap(it *parley.Item) error {
	if s.cfg.MaxChatItems > 0 && it.Seq > int64(s.cfg.MaxChatItems) {
		return parley.Errorf(parley.EQUOTA, "this chat holds its maximum of %d items (limits.chat_items): start a new chat",
			s.cfg.MaxChatItems)
	}
	return nil
}

// checkActiveChats refuses a new chat on an instance that has Config.MaxActiveChats active chats, as Amazon
// Connect's "concurrent active chats per instance" quota does (LimitExceededException). The count is read
// before the chat is stored, so concurrent starts may pass it together: the cap emulates Connect's quota for
// testing clients, it is not a hard guarantee.
func (s *Service) checkActiveChats(ctx context.Context, instanceID string) error {
	if s.cfg.MaxActiveChats <= 0 {
		return nil
	}
	active, err := s.store.ListActiveContacts(ctx, instanceID)
	if err != nil {
		return err
	}
	if len(active) >= s.cfg.MaxActiveChats {
		return parley.Errorf(parley.ELIMIT, "the instance has its maximum of %d concurrent active chats (limits.concurrent_chats)",
			s.cfg.MaxActiveChats)
	}
	return nil
}
