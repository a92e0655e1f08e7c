import SpurAggregate

/// The JSON shapes of the API that are not the aggregator's own types (those encode as they
/// are: `LeadProfile`, `CampaignReport`, `ScorePoint`, `AggregationRun`). Field names are
/// snake_case like the profile's.
enum APIModels {
    struct LeadRow: Encodable {
        var lead: String
        var score: Double
        var implicit: Double
        var explicit: Double
        var grade: Grade
        var letter: Letter
        var label: String
        var stage: Stage
        var last_seen: String
        var updated_at: String
        var top_interests: [String]

        init(_ s: LeadSummary) {
            (lead, score, implicit, explicit, grade, letter, label, stage) = (
                s.lead, s.score, s.implicit, s.explicit, s.grade, s.letter, s.label, s.stage
            )
            (last_seen, updated_at, top_interests) = (s.lastSeen, ISO8601.string(s.updatedAt), s.topInterests)
        }
    }

    /// The cursor of the next page, written as `null` on the last page (an optional property
    /// would be left out instead).
    struct NextCursor: Encodable {
        var text: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            if let text { try c.encode(text) } else { try c.encodeNil() }
        }
    }

    struct LeadList: Encodable {
        var leads: [LeadRow]
        var next_cursor: NextCursor
    }

    struct ScoreHistory: Encodable {
        var lead: String
        var points: [ScorePoint]
    }

    struct ConsentList: Encodable {
        var lead: String
        var records: [ConsentRecord]
    }

    struct PageList: Encodable {
        var days: Int
        var pages: [PageTotal]
    }

    struct CampaignList: Encodable {
        var campaigns: [CampaignReport]
    }

    struct Campaign: Encodable {
        var report: CampaignReport
        var days: [CampaignDay]
    }

    struct AudienceSize: Encodable {
        var name: String
        var members: Int
    }

    struct AudienceList: Encodable {
        var audiences: [AudienceSize]
    }

    struct Member: Encodable {
        var lead: String
        var since: String
    }

    struct MemberList: Encodable {
        var audience: String
        var members: [Member]
        var next_cursor: NextCursor
    }

    struct Health: Encodable {
        var as_of: String?
        var last_run: AggregationRun?
        var handoffs_waiting: Int
        var segments_waiting: Int
        var webhooks_pending: Int
        var webhooks_dead: Int
    }
}
