// The read API's OpenAPI 3.1 document; docs/openapi.json is the same text (a test compares them).
// swift-format-ignore-file
import Foundation

enum OpenAPIDocument {
    static let json = expand(template)

    /// Every read operation answers alike: 200 with `ETag` and `Cache-Control` and a JSON body,
    /// 304, 401, 403, 429 and 503, plus 400 and 404 where they apply. In the template a line
    /// `"responses": @read["description", "Schema", 400, 404]` stands for that object, written
    /// out here the way the rest of the document is indented.
    static func expand(_ template: String) -> String {
        template.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let at = line.range(of: "@read["), let close = line.lastIndex(of: "]"),
                let arguments = try? JSONSerialization.jsonObject(with: Data(line[line.index(before: at.upperBound)...close].utf8)) as? [Any],
                let description = arguments.first as? String, let schema = arguments.dropFirst().first as? String
            else { return String(line) }
            let extra = arguments.dropFirst(2).compactMap { $0 as? Int }
            let indent = String(line.prefix { $0 == " " })
            let inner = indent + "  "
            let quoted = String(decoding: (try? JSONSerialization.data(withJSONObject: [description], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8), as: UTF8.self).dropFirst().dropLast()
            var entries = [
                """
                \(inner)"200": {
                \(inner)  "description": \(quoted),
                \(inner)  "headers": {
                \(inner)    "ETag": {
                \(inner)      "$ref": "#/components/headers/ETag"
                \(inner)    },
                \(inner)    "Cache-Control": {
                \(inner)      "$ref": "#/components/headers/CacheControl"
                \(inner)    }
                \(inner)  },
                \(inner)  "content": {
                \(inner)    "application/json": {
                \(inner)      "schema": {
                \(inner)        "$ref": "#/components/schemas/\(schema)"
                \(inner)      }
                \(inner)    }
                \(inner)  }
                \(inner)}
                """
            ]
            for code in ([304, 401, 403, 429, 503] + extra).sorted() {
                entries.append("\(inner)\"\(code)\": {\n\(inner)  \"$ref\": \"#/components/responses/\(errorResponses[code] ?? "")\"\n\(inner)}")
            }
            return line[..<at.lowerBound] + "{\n" + entries.joined(separator: ",\n") + "\n" + indent + "}" + line[line.index(after: close)...]
        }.joined(separator: "\n")
    }

    private static let errorResponses = [
        304: "NotModified", 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 429: "RateLimited",
        503: "Unavailable",
    ]

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Spur read API",
    "version": "1.0.0",
    "description": "Leads, scores and campaign reports from Spur's aggregated database, served by 'spur console' under /api/v1. Every call but this document needs an API key with scope 'read' ('spur keys add NAME --scope read'). See docs/api.md.",
    "license": {
      "name": "Proprietary"
    }
  },
  "servers": [
    {
      "url": "/api/v1"
    }
  ],
  "security": [
    {
      "bearer": []
    }
  ],
  "tags": [
    {
      "name": "leads"
    },
    {
      "name": "campaigns"
    },
    {
      "name": "audiences"
    },
    {
      "name": "operations"
    },
    {
      "name": "pages",
      "description": "The content report: page views per page (docs/consent.md)."
    }
  ],
  "paths": {
    "/leads": {
      "get": {
        "operationId": "listLeads",
        "summary": "Leads, filtered and sorted, one page at a time",
        "tags": [
          "leads"
        ],
        "parameters": [
          {
            "name": "stage",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "none",
                "mql",
                "sql"
              ],
              "description": "Funnel stage."
            },
            "description": "Only this stage."
          },
          {
            "name": "grade",
            "in": "query",
            "schema": {
              "type": "integer",
              "enum": [
                1,
                2,
                3,
                4,
                5,
                6
              ],
              "description": "Implicit grade from the score: 1 (hottest) to 6."
            },
            "description": "Only this grade."
          },
          {
            "name": "letter",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "A",
                "B",
                "C",
                "D"
              ],
              "description": "Explicit fit from the profile's attributes: A (best) to D."
            },
            "description": "Only this letter."
          },
          {
            "name": "min_score",
            "in": "query",
            "schema": {
              "type": "number"
            },
            "description": "Only leads scoring at least this."
          },
          {
            "name": "interest",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "Only leads with this category among their top interests."
          },
          {
            "name": "campaign",
            "in": "query",
            "schema": {
              "type": "string"
            },
            "description": "Only leads that opened or clicked this campaign."
          },
          {
            "name": "updated_since",
            "in": "query",
            "schema": {
              "type": "string",
              "anyOf": [
                {
                  "format": "date"
                },
                {
                  "format": "date-time"
                }
              ]
            },
            "description": "Only leads whose profile changed at or after this date (start of the UTC day) or time."
          },
          {
            "name": "sort",
            "in": "query",
            "schema": {
              "type": "string",
              "enum": [
                "score",
                "last_seen",
                "updated",
                "lead"
              ],
              "default": "score"
            },
            "description": "Order: score (highest first), last_seen, updated (most recent first) or lead id."
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 50
            },
            "description": "Items per page (1–1000)."
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["A page of leads.", "LeadList", 400]
      }
    },
    "/leads/{id}": {
      "get": {
        "operationId": "getLead",
        "summary": "A lead's profile with the explanation of its score",
        "tags": [
          "leads"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The profile.", "Lead", 400, 404]
      }
    },
    "/leads/{id}/events": {
      "get": {
        "operationId": "listLeadEvents",
        "summary": "A lead's events (and those of its visitor ids), oldest first",
        "tags": [
          "leads"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["A page of events.", "EventList", 400, 404]
      }
    },
    "/leads/{id}/score-history": {
      "get": {
        "operationId": "getLeadScoreHistory",
        "summary": "A lead's score at the end of each day",
        "tags": [
          "leads"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The daily series.", "ScoreHistory", 400, 404]
      }
    },
    "/leads/{id}/consent": {
      "get": {
        "operationId": "getLeadConsent",
        "summary": "A lead's grants and withdrawals of consent: the proof (docs/consent.md)",
        "tags": [
          "leads"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The consent records, oldest first.", "ConsentList", 400, 404]
      }
    },
    "/campaigns": {
      "get": {
        "operationId": "listCampaigns",
        "summary": "Every campaign's report",
        "tags": [
          "campaigns"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The reports, by campaign id.", "CampaignList"]
      }
    },
    "/campaigns/{id}": {
      "get": {
        "operationId": "getCampaign",
        "summary": "A campaign's report and its opens and clicks per day",
        "tags": [
          "campaigns"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The report and its days.", "Campaign", 400, 404]
      }
    },
    "/pages": {
      "get": {
        "operationId": "listPages",
        "summary": "Page views per page: with consent, anonymous (no consent) and bots",
        "tags": [
          "pages"
        ],
        "parameters": [
          {
            "name": "days",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 3660,
              "default": 30
            },
            "description": "Days back from the last aggregation's scoring date, that day included."
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The most viewed pages of the period, by views of people.", "PageList", 400]
      }
    },
    "/audiences": {
      "get": {
        "operationId": "listAudiences",
        "summary": "Audiences and their sizes, as of the last aggregation",
        "tags": [
          "audiences"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The audiences.", "AudienceList"]
      }
    },
    "/audiences/{id}/members": {
      "get": {
        "operationId": "listAudienceMembers",
        "summary": "An audience's members by lead id, one page at a time",
        "tags": [
          "audiences"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/Id"
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["A page of members.", "MemberList", 400, 404]
      }
    },
    "/health": {
      "get": {
        "operationId": "getHealth",
        "summary": "Last aggregation run, outboxes and segments waiting",
        "tags": [
          "operations"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/IfNoneMatch"
          }
        ],
        "responses": @read["The state of the pipeline.", "Health"]
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "summary": "This document",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "304": {
            "$ref": "#/components/responses/NotModified"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key with scope 'read'."
      }
    },
    "parameters": {
      "Id": {
        "name": "id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string",
          "minLength": 1
        },
        "description": "Percent-encoded id, e.g. anna%40example.org."
      },
      "IfNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "schema": {
          "type": "string"
        },
        "description": "An ETag from an earlier answer: 304 when unchanged."
      },
      "Limit": {
        "name": "limit",
        "in": "query",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "default": 100
        },
        "description": "Items per page (1–1000)."
      },
      "Cursor": {
        "name": "cursor",
        "in": "query",
        "schema": {
          "type": "string"
        },
        "description": "next_cursor of the previous page."
      }
    },
    "headers": {
      "ETag": {
        "description": "Send it back in If-None-Match: 304 while the resource is unchanged.",
        "schema": {
          "type": "string"
        }
      },
      "Retry-After": {
        "description": "Seconds to wait.",
        "schema": {
          "type": "integer"
        }
      },
      "CacheControl": {
        "schema": {
          "type": "string"
        },
        "description": "How long the answer may be kept."
      }
    },
    "responses": {
      "NotModified": {
        "description": "Unchanged since the ETag in If-None-Match.",
        "headers": {
          "ETag": {
            "$ref": "#/components/headers/ETag"
          }
        }
      },
      "BadRequest": {
        "description": "A parameter or cursor is not valid (invalid-parameter, invalid-cursor).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "No API key or an unknown one (unauthorized).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "headers": {
          "WWW-Authenticate": {
            "schema": {
              "type": "string"
            }
          }
        }
      },
      "Forbidden": {
        "description": "The key has another scope (forbidden).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such lead, campaign, audience or route (not-found).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "RateLimited": {
        "description": "Too many requests with this key (rate-limited).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/Retry-After"
          }
        }
      },
      "Unavailable": {
        "description": "No data yet, or the database cannot be read (unavailable).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/Retry-After"
          }
        }
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "required": [
          "type",
          "title",
          "status",
          "detail"
        ],
        "description": "An error (RFC 9457).",
        "properties": {
          "type": {
            "type": "string",
            "description": "urn:spur:problem:NAME, listed in docs/api.md."
          },
          "title": {
            "type": "string"
          },
          "status": {
            "type": "integer"
          },
          "detail": {
            "type": "string",
            "description": "What was wrong and what to do."
          }
        }
      },
      "Stage": {
        "type": "string",
        "enum": [
          "none",
          "mql",
          "sql"
        ],
        "description": "Funnel stage."
      },
      "Grade": {
        "type": "integer",
        "enum": [
          1,
          2,
          3,
          4,
          5,
          6
        ],
        "description": "Implicit grade from the score: 1 (hottest) to 6."
      },
      "Letter": {
        "type": "string",
        "enum": [
          "A",
          "B",
          "C",
          "D"
        ],
        "description": "Explicit fit from the profile's attributes: A (best) to D."
      },
      "Split": {
        "type": "object",
        "required": [
          "total",
          "human",
          "proxy",
          "bot"
        ],
        "properties": {
          "total": {
            "type": "integer",
            "minimum": 0
          },
          "human": {
            "type": "integer",
            "minimum": 0
          },
          "proxy": {
            "type": "integer",
            "minimum": 0
          },
          "bot": {
            "type": "integer",
            "minimum": 0
          }
        },
        "description": "Events split into human, proxy (image proxies, Apple Mail Privacy Protection) and bot (bots, scanners, honeypot clicks)."
      },
      "LeadRow": {
        "type": "object",
        "description": "A lead as the lead list shows it.",
        "required": [
          "lead",
          "score",
          "implicit",
          "explicit",
          "grade",
          "letter",
          "label",
          "stage",
          "last_seen",
          "updated_at",
          "top_interests"
        ],
        "properties": {
          "lead": {
            "type": "string"
          },
          "score": {
            "type": "number"
          },
          "implicit": {
            "type": "number"
          },
          "explicit": {
            "type": "number"
          },
          "grade": {
            "$ref": "#/components/schemas/Grade"
          },
          "letter": {
            "$ref": "#/components/schemas/Letter"
          },
          "label": {
            "type": "string",
            "description": "Letter and grade, e.g. B2."
          },
          "stage": {
            "$ref": "#/components/schemas/Stage"
          },
          "last_seen": {
            "type": "string",
            "format": "date-time"
          },
          "updated_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the profile last changed."
          },
          "top_interests": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "maxItems": 3
          }
        }
      },
      "LeadList": {
        "type": "object",
        "required": [
          "leads",
          "next_cursor"
        ],
        "properties": {
          "leads": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/LeadRow"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ],
            "description": "Pass as 'cursor' for the next page; null on the last page."
          }
        }
      },
      "Lead": {
        "type": "object",
        "description": "Everything Spur knows about a lead as of the last aggregation, as 'spur leads show --json' prints it.",
        "required": [
          "lead",
          "as_of",
          "score",
          "implicit",
          "explicit",
          "lifetime",
          "grade",
          "letter",
          "label",
          "stage",
          "interests",
          "counts",
          "first_seen",
          "last_seen",
          "visitors",
          "campaigns_opened",
          "campaigns_clicked",
          "attributes",
          "explain"
        ],
        "properties": {
          "lead": {
            "type": "string"
          },
          "as_of": {
            "type": "string",
            "format": "date-time"
          },
          "score": {
            "type": "number"
          },
          "implicit": {
            "type": "number"
          },
          "explicit": {
            "type": "number"
          },
          "lifetime": {
            "type": "number",
            "description": "Awarded behavioural points without decay."
          },
          "grade": {
            "$ref": "#/components/schemas/Grade"
          },
          "letter": {
            "$ref": "#/components/schemas/Letter"
          },
          "label": {
            "type": "string"
          },
          "stage": {
            "$ref": "#/components/schemas/Stage"
          },
          "stage_since": {
            "type": "string",
            "format": "date-time"
          },
          "mql_at": {
            "type": "string",
            "format": "date-time"
          },
          "sql_at": {
            "type": "string",
            "format": "date-time"
          },
          "interests": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "category",
                "weight"
              ],
              "properties": {
                "category": {
                  "type": "string"
                },
                "weight": {
                  "type": "number"
                }
              }
            }
          },
          "counts": {
            "type": "object",
            "additionalProperties": {
              "type": "integer"
            },
            "description": "Events per type."
          },
          "first_seen": {
            "type": "string",
            "format": "date-time"
          },
          "last_seen": {
            "type": "string",
            "format": "date-time"
          },
          "visitors": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "campaigns_opened": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "campaigns_clicked": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "attributes": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "explain": {
            "type": "array",
            "description": "Why the score is what it is: one line per rule.",
            "items": {
              "type": "object",
              "required": [
                "rule",
                "points",
                "awarded",
                "events"
              ],
              "properties": {
                "rule": {
                  "type": "string"
                },
                "points": {
                  "type": "number"
                },
                "awarded": {
                  "type": "number"
                },
                "events": {
                  "type": "integer"
                },
                "excluded": {
                  "type": "string",
                  "description": "Why events gave nothing or less, e.g. daily_cap, bot."
                }
              }
            }
          },
          "first_touch": {
            "$ref": "#/components/schemas/Touch"
          },
          "last_touch": {
            "$ref": "#/components/schemas/Touch"
          }
        }
      },
      "Touch": {
        "type": "object",
        "description": "The UTM parameters of a landing page or click target.",
        "required": [
          "at"
        ],
        "properties": {
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "source": {
            "type": "string"
          },
          "medium": {
            "type": "string"
          },
          "campaign": {
            "type": "string"
          },
          "url": {
            "type": "string"
          }
        }
      },
      "Event": {
        "type": "object",
        "description": "A stored event (docs/events.md).",
        "required": [
          "id",
          "ts",
          "type"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "ts": {
            "type": "integer",
            "description": "Unix milliseconds."
          },
          "type": {
            "type": "string",
            "enum": [
              "open",
              "click",
              "download",
              "pageview",
              "identify",
              "form",
              "custom"
            ]
          },
          "campaign": {
            "type": "string"
          },
          "lead": {
            "type": "string"
          },
          "visitor": {
            "type": "string"
          },
          "url": {
            "type": "string"
          },
          "referrer": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "ua": {
            "type": "string"
          },
          "ip": {
            "type": "string",
            "description": "Truncated (IPv4 /24, IPv6 /48)."
          },
          "flags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "props": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "node": {
            "type": "string"
          }
        }
      },
      "EventList": {
        "type": "object",
        "required": [
          "events",
          "next_cursor"
        ],
        "properties": {
          "events": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Event"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "ScorePoint": {
        "type": "object",
        "required": [
          "day",
          "score",
          "implicit",
          "explicit",
          "label",
          "stage"
        ],
        "properties": {
          "day": {
            "type": "string",
            "format": "date"
          },
          "score": {
            "type": "number"
          },
          "implicit": {
            "type": "number"
          },
          "explicit": {
            "type": "number"
          },
          "label": {
            "type": "string"
          },
          "stage": {
            "$ref": "#/components/schemas/Stage"
          }
        }
      },
      "ScoreHistory": {
        "type": "object",
        "required": [
          "lead",
          "points"
        ],
        "properties": {
          "lead": {
            "type": "string"
          },
          "points": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ScorePoint"
            },
            "description": "The score as of the end of each day, from the first event (at most 365 days) to the last aggregation."
          }
        }
      },
      "CampaignReport": {
        "type": "object",
        "required": [
          "campaign",
          "opens",
          "unique_opens",
          "clicks",
          "unique_clicks",
          "links",
          "excluded",
          "site"
        ],
        "properties": {
          "campaign": {
            "type": "string"
          },
          "opens": {
            "$ref": "#/components/schemas/Split"
          },
          "unique_opens": {
            "$ref": "#/components/schemas/Split"
          },
          "clicks": {
            "$ref": "#/components/schemas/Split"
          },
          "unique_clicks": {
            "$ref": "#/components/schemas/Split"
          },
          "click_to_open": {
            "type": "number",
            "description": "Unique human clickers / unique human openers; absent without opens."
          },
          "links": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "url",
                "clicks",
                "unique_clicks"
              ],
              "properties": {
                "url": {
                  "type": "string"
                },
                "clicks": {
                  "$ref": "#/components/schemas/Split"
                },
                "unique_clicks": {
                  "$ref": "#/components/schemas/Split"
                }
              }
            }
          },
          "excluded": {
            "type": "object",
            "description": "For opens and clicks: events per flag that did not count as human.",
            "additionalProperties": {
              "type": "object",
              "additionalProperties": {
                "type": "integer"
              }
            }
          },
          "site": {
            "$ref": "#/components/schemas/SiteVisits"
          }
        }
      },
      "AudienceList": {
        "type": "object",
        "required": [
          "audiences"
        ],
        "properties": {
          "audiences": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "name",
                "members"
              ],
              "properties": {
                "name": {
                  "type": "string"
                },
                "members": {
                  "type": "integer",
                  "minimum": 0
                }
              }
            }
          }
        },
        "description": "Every audience that has ever had a member, by name, with its members now (docs/audiences.md)."
      },
      "MemberList": {
        "type": "object",
        "required": [
          "audience",
          "members",
          "next_cursor"
        ],
        "properties": {
          "audience": {
            "type": "string"
          },
          "members": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "lead",
                "since"
              ],
              "properties": {
                "lead": {
                  "type": "string"
                },
                "since": {
                  "type": "string",
                  "format": "date-time",
                  "description": "When the lead entered (the as-of time of that run)."
                }
              }
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "CampaignList": {
        "type": "object",
        "required": [
          "campaigns"
        ],
        "properties": {
          "campaigns": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/CampaignReport"
            }
          }
        }
      },
      "CampaignDay": {
        "type": "object",
        "required": [
          "day",
          "opens",
          "clicks"
        ],
        "properties": {
          "day": {
            "type": "string",
            "format": "date"
          },
          "opens": {
            "$ref": "#/components/schemas/Split"
          },
          "clicks": {
            "$ref": "#/components/schemas/Split"
          }
        }
      },
      "Campaign": {
        "type": "object",
        "required": [
          "report",
          "days"
        ],
        "properties": {
          "report": {
            "$ref": "#/components/schemas/CampaignReport"
          },
          "days": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/CampaignDay"
            },
            "description": "Opens and clicks per day from the first event to the last (at most 90 days)."
          }
        }
      },
      "AggregationRun": {
        "type": "object",
        "required": [
          "id",
          "started_at",
          "finished_at",
          "as_of",
          "segments_folded",
          "events",
          "leads",
          "exit_code",
          "summary"
        ],
        "properties": {
          "id": {
            "type": "integer"
          },
          "started_at": {
            "type": "integer",
            "description": "Unix milliseconds."
          },
          "finished_at": {
            "type": "integer"
          },
          "as_of": {
            "type": "string",
            "format": "date-time"
          },
          "segments_folded": {
            "type": "integer"
          },
          "events": {
            "type": "integer"
          },
          "leads": {
            "type": "integer"
          },
          "exit_code": {
            "type": "integer",
            "description": "The exit status 'spur aggregate' reported (docs/cli.md)."
          },
          "summary": {
            "type": "string"
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "handoffs_waiting",
          "segments_waiting",
          "webhooks_pending",
          "webhooks_dead"
        ],
        "properties": {
          "as_of": {
            "type": "string",
            "format": "date-time",
            "description": "Scoring date of the last run; absent before the first."
          },
          "last_run": {
            "$ref": "#/components/schemas/AggregationRun"
          },
          "handoffs_waiting": {
            "type": "integer",
            "description": "Hand-offs in the outbox waiting for --handoff-file / --handoff-command."
          },
          "segments_waiting": {
            "type": "integer",
            "description": "Sealed segments not folded yet."
          },
          "webhooks_pending": {
            "type": "integer",
            "description": "Webhook deliveries waiting (first attempt or retry)."
          },
          "webhooks_dead": {
            "type": "integer",
            "description": "Webhook deliveries given up after their retry period ('spur webhooks retry')."
          }
        }
      },
      "SiteVisits": {
        "type": "object",
        "required": [
          "page_views",
          "with_consent",
          "anonymous",
          "bot"
        ],
        "description": "Page views of the site whose URL carried the campaign's utm_campaign: with consent (a visitor id), anonymous (no consent, docs/consent.md) and bots.",
        "properties": {
          "page_views": {
            "type": "integer",
            "minimum": 0
          },
          "with_consent": {
            "type": "integer",
            "minimum": 0
          },
          "anonymous": {
            "type": "integer",
            "minimum": 0
          },
          "bot": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "ConsentRecord": {
        "type": "object",
        "required": [
          "at",
          "source",
          "granted",
          "event"
        ],
        "properties": {
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "source": {
            "type": "string",
            "enum": [
              "site",
              "identify"
            ],
            "description": "site: the site's consent banner (a consent event of a linked visitor id); identify: the tracking attribute from /api/identify."
          },
          "granted": {
            "type": "boolean",
            "description": "true for a grant, false for a withdrawal or refusal."
          },
          "banner": {
            "type": "string",
            "description": "The banner and text version id the site passed."
          },
          "visitor": {
            "type": "string"
          },
          "page": {
            "type": "string",
            "description": "The page it was given on, as the browser sent it."
          },
          "event": {
            "type": "string",
            "description": "The id of the event that records it."
          }
        }
      },
      "ConsentList": {
        "type": "object",
        "required": [
          "lead",
          "records"
        ],
        "properties": {
          "lead": {
            "type": "string"
          },
          "records": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ConsentRecord"
            }
          }
        }
      },
      "PageTotal": {
        "type": "object",
        "required": [
          "page",
          "with_consent",
          "anonymous",
          "bot"
        ],
        "properties": {
          "page": {
            "type": "string",
            "description": "The page without its query."
          },
          "with_consent": {
            "type": "integer",
            "minimum": 0
          },
          "anonymous": {
            "type": "integer",
            "minimum": 0,
            "description": "Views without consent, counted anonymously."
          },
          "bot": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "PageList": {
        "type": "object",
        "required": [
          "days",
          "pages"
        ],
        "properties": {
          "days": {
            "type": "integer"
          },
          "pages": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/PageTotal"
            }
          }
        }
      }
    }
  }
}
"""#
}
